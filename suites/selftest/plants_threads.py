"""Planted defect for the thread sweep: an adapter whose thread control does nothing."""


def thread_control_ignored(adapter) -> None:
    """``set_threads`` accepted and ignored: the framework keeps its default pool (every core).
    Runs after the worker already applied the control, so it also undoes it."""
    import torch

    torch.set_num_threads(2)
    adapter.set_threads = lambda n: None
