-- The apps' role also needs the sequences of tables created by later migrations.
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO maskline_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO maskline_app;
