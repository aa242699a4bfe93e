"""Duplicate reports of one incident (合并工单, RULES.md §2b): score, decide, index, commands."""
