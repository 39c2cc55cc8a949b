"""The code-synthesis hazard catalogue: the data file and the code that reads and checks it."""
