"""Duplicate reports (合并工单): how alike two reports are (``similarity``), pure and fast."""
