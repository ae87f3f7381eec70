"""The command line: every click command, and the capture and evaluation tools behind them."""
