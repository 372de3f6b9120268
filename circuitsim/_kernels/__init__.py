"""Private numba kernels: plain functions over arrays, cached (:mod:`._cache`), tested directly.

:mod:`.loop` is the time loop every solver shares; :mod:`.explicit` and
:mod:`.rosenbrock` are steps; the model files (:mod:`.graded`, :mod:`.ctrnn`,
:mod:`.ltc`) register their vector fields and Jacobians with :mod:`.dispatch`.
"""
