"""Sub-commands of ``perfeval-xl``. Each module has ``register(subparsers)`` and imports heavy
dependencies (pandas, openpyxl) only inside the function that runs the command."""
