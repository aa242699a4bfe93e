"""The ladder's rules, one file each (RULES.md §3, §3b, §4).

``assignment`` (start level per tier, the 1/3/5/7 deadline, the acknowledgement window, a
rising tier), ``deadline`` (expiry escalates; county supervision 督办), ``acknowledgement``
(签收 and its lapse), ``attempts`` (mediation attempts and 三三调处), ``pause`` (中止 and
resume), ``warning`` (预警), ``chase`` (催办), ``extension`` (延期), ``bounce_back`` (退单 and
arbitration), ``resolution`` (化解, 回访, reopen).
"""
