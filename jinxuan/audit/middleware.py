from .context import RequestContextMiddleware

__all__ = ["RequestContextMiddleware"]
