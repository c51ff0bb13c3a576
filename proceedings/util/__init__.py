"""Infrastructure: atomic writes, the content-keyed cache, worker processes."""
