"""The timer audit: which timers should have fired in a window, and did they (from the log)."""
