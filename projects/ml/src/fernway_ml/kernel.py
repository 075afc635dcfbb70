"""A Jupyter kernel manager that always starts ipykernel on the running interpreter."""

from __future__ import annotations

import sys

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager


class ThisPythonKernelManager(AsyncKernelManager):
    """Starts `sys.executable -m ipykernel_launcher` (the ml venv), ignoring kernelspecs.

    A kernelspec named `python3` on the Jupyter path (a global Jupyter's, or ipykernel's own
    that says just `python`) could start another interpreter without this project's packages.
    """

    @property
    def kernel_spec(self) -> KernelSpec:
        """A spec for this interpreter's ipykernel."""
        if self._kernel_spec is None:
            self._kernel_spec = KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name=f"fernway-ml ({sys.executable})",
                language="python",
            )
        return self._kernel_spec
