"""studies/lesion"""
