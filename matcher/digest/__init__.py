"""The weekly digest: choose who gets whom, record it, render the email, deliver it exactly once."""
