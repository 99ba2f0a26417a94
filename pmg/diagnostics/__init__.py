"""The gap diagnostic (*diagnóstico de brechas*): its content, rules and form."""
