// Tests: eu_crm
