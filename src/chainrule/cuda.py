"""torch.cuda stand-in: chainrule runs on the CPU (a CuPy backend is planned)."""


def is_available() -> bool:
    """False: no CUDA device is used by chainrule yet."""
    return False


def device_count() -> int:
    return 0


def manual_seed(seed) -> None:
    """Accepted for compatibility; there is no CUDA generator to seed."""


def manual_seed_all(seed) -> None:
    """Accepted for compatibility; there is no CUDA generator to seed."""
