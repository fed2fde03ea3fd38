"""Cases (闭环): one pass of one unit through 一次提醒、二次警示、三次执法."""
