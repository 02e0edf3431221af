"""DynamoDB access: the only package that talks to the table. SDK errors become domain errors here."""
