"""studies/speed"""
