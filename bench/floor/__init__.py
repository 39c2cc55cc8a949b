"""The bare-Django floor of `python -m bench speed`: what a fresh `startproject` costs for one JSON view."""
