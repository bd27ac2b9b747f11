"""Reports: plain data in, document bytes out (PDF, XLSX), plus the services that gather data."""
