"""Jupyter layer: the kernel, the magics and the control panel.

`cell.Cell` runs a cell's lines on a `Target` (the layer below) and hands its outputs to
whoever shows them: the kernel sends them as messages, `serial-console run --in-process` keeps
them in the notebook.  Only `kernel` and `widgets` import ipykernel and ipywidgets.
"""
