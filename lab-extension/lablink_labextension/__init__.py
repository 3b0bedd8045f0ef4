"""The lablink grades panel for JupyterLab, as a prebuilt extension.

Installing this package is all a lab needs: the labextension is in the wheel's shared data
(share/jupyter/labextensions/@lablink/labextension), where JupyterLab finds it.
"""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    # For `jupyter labextension develop` and for labs that look in the package itself.
    return [{"src": "labextension", "dest": "@lablink/labextension"}]
