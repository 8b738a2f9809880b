#include "kread.h"

int td_read_pieces(td_piece_fn *piece, void *ctx, uint64_t addr, void *buf, size_t len,
		   struct td_err *e)
{
	uint8_t *p = buf;

	while (len) {
		size_t n = 0;
		if (piece(ctx, addr, p, len, &n, e) < 0)
			return -1;
		addr += n;
		p += n;
		len -= n;
	}
	return 0;
}
