"""duan8: plan, fund, carry out, monitor and report Project 8 of NTP 1719."""

__version__ = "0.1.0"
