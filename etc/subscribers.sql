-- Subscribers of the example S-CSCF (realm ims.test). auth_db computes
-- HA1 from the plain password (calculate_ha1); test UEs use these.
INSERT INTO subscriber (username, domain, password) VALUES
	('alice', 'ims.test', 'alice-secret'),
	('bob', 'ims.test', 'bob-secret'),
	('carol', 'ims.test', 'carol-secret'),
	('dave', 'ims.test', 'dave-secret');
