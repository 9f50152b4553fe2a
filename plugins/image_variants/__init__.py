from .markup import missing_alt_texts
from .plugin import register

__all__ = ["missing_alt_texts", "register"]
