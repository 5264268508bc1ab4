"""aiblint: a static checker for Azure VM Image Builder image templates."""

__version__ = "0.1.0"
