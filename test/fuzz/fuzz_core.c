/*
 * reauth module - libFuzzer target for the parsers of pure/ that see
 * network input: Event and Accept header values of a SUBSCRIBE, the
 * watcher check, and reginfo documents (built from hostile strings, then
 * parsed back for their version).
 *
 * make fuzz (clang -fsanitize=fuzzer,address,undefined); not a test.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../modules/reauth/pure/regstate.h"
#include "../../modules/reauth/pure/reginfo.h"
#include "../../modules/reauth/pure/subscribe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *z, *body = NULL;
	size_t len = 0;
	unsigned long version;
	regstate_contact_t ct;
	regstate_identity_t id;
	const char *users[1] = {"alice@ims.test"};

	/* the header parsers take (pointer, length): no NUL needed */
	sub_event_is_reg(s, size);
	sub_accept_has_reginfo(s, size);
	reginfo_parse_version(s, size, &version);

	/* the same bytes as a URI, a callid and a watcher */
	z = malloc(size + 1);
	if(z == NULL)
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	{
		sub_watcher_facts_t f = {z, 1, z, z, 1, 1, 1};
		sub_classify_watcher(&f, users, 1, users, 1);
		f.trusted_source = 0;
		sub_classify_watcher(&f, users, 1, users, 1);
	}

	memset(&ct, 0, sizeof(ct));
	ct.uri = z;
	ct.callid = z;
	ct.cseq = 1;
	ct.expires_at = 100;
	ct.event = (reginfo_ct_event_t)(size % 9);
	memset(&id, 0, sizeof(id));
	id.uri = z;
	id.contacts = &ct;
	id.ncontacts = 1;
	if(regstate_build_body(&id, 1, size, 50, NULL, &body, &len) == 0) {
		/* what we build must parse, with the version we gave */
		if(reginfo_parse_version(body, len, &version) != 0 || version != size)
			abort();
		free(body);
	}
	free(z);
	return 0;
}
