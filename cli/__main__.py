"""`python -m cli` runs `lqs`."""
from cli import main

main()
