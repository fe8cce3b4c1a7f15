"""studies/training"""
