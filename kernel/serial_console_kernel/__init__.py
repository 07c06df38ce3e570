"""A Jupyter kernel that types cells into a live serial console and answers with the screen."""

__version__ = "0.1.0"
