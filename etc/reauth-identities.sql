-- Example data of the reauth module's own database (see reauth-create.sql).
-- Implicit registration sets (reauth module): alice has two sets, one of
-- two identities; bob one set of two.
INSERT INTO reauth_identity (impu, impi, set_id) VALUES
	('sip:alice@ims.test', 'alice@ims.test', 'alice-1'),
	('sip:alice2@ims.test', 'alice@ims.test', 'alice-1'),
	('sip:alicew@ims.test', 'alice@ims.test', 'alice-2'),
	('sip:bob@ims.test', 'bob@ims.test', 'bob-1'),
	('sip:bob2@ims.test', 'bob@ims.test', 'bob-1');
