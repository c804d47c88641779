"""Planted defects for the CNTK worker, which runs Python 3.6 (so no newer syntax here)."""


def cntk_unit_gain_momentum(adapter):
    """CNTK's default: unit-gain momentum v = m*v + (1-m)*g, whatever the adapter asks for."""
    import cntk

    original = cntk.momentum_sgd

    def unit_gain(*args, **kwargs):
        kwargs["unit_gain"] = True
        return original(*args, **kwargs)

    cntk.momentum_sgd = unit_gain
    cntk.learners.momentum_sgd = unit_gain
