// placeholder: see docs/kernels.md
