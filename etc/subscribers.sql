-- Subscribers of the example S-CSCF (realm ims.test). auth_db computes
-- HA1 from the plain password (calculate_ha1); test UEs use these.
INSERT INTO subscriber (username, domain, password) VALUES
	('alice', 'ims.test', 'alice-secret'),
	('bob', 'ims.test', 'bob-secret'),
	('carol', 'ims.test', 'carol-secret'),
	('dave', 'ims.test', 'dave-secret');

-- Second identities of alice and bob (digest credentials of their own in
-- this example registrar).
INSERT INTO subscriber (username, domain, password) VALUES
	('alice2', 'ims.test', 'alice2-secret'),
	('alicew', 'ims.test', 'alicew-secret'),
	('bob2', 'ims.test', 'bob2-secret');
