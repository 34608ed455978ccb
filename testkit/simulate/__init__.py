"""How synthetic students look on a vendor's report (i-Ready, MAP Growth) and a season of tutoring."""
