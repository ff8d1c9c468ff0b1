"""Wording rules shared by patient and physician text: claim words (`claims`) and numbers
that must come from the study record (`record`)."""
