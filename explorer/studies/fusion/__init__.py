"""studies/fusion"""
