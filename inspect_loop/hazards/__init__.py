"""The hazard catalogue (隐患类型, after 《平安建设指导手册》)."""
