"""Export: formats (``formats``) and the run that pages accounts into them (``run``)."""
