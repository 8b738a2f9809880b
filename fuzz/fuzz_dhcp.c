/* libFuzzer target: DHCP replies (net/dhcpmsg.c). The xid and MAC are
 * taken from the packet itself half the time, so the option parser is
 * reached, not just the header checks. What the parser hands back must
 * respect its promises: a prefix of 1..32, a router inside the leased
 * subnet, strings terminated. */
#include <string.h>

#include "net/dhcpmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_dhcp_reply r;
	struct td_err e;
	uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	uint32_t xid = 0x1badcafe, net;

	if (size >= 34 && (data[0] & 1)) {
		xid = (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 | (uint32_t)data[6] << 8 | data[7];
		memcpy(mac, data + 28, 6);
	}
	if (td_dhcp_parse(data, size, xid, mac, &r, &e) < 0)
		return 0;
	if (memchr(r.ignored, 0, sizeof r.ignored) == NULL)
		__builtin_trap();
	if (r.type == TD_DHCP_NAK)
		return 0;
	if (r.prefix < 1 || r.prefix > 32 || !r.yiaddr || !r.server)
		__builtin_trap();
	net = ~0u << (32 - r.prefix);
	if (r.router && ((r.router & net) != (r.yiaddr & net) || r.router == r.yiaddr))
		__builtin_trap();
	return 0;
}
