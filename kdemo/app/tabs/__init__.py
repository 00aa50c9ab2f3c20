"""One module per tab of the page, plus the controls generated from the parameter table and the drawing pad."""
