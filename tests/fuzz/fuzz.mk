# fuzz.mk: builds and runs the libFuzzer targets (invoked by `make fuzz` in
# Makefile.am, which passes SRCDIR, SRCS = the library sources of svd, and the
# configure-found FUZZ_INCS/FUZZ_LIBS). The normal build uses gcc; here every
# source is compiled again with clang, coverage and ASan+UBSan into
# tests/fuzz/build (ignored by git), so the two never share objects. Only what
# a target references is linked, through a static archive.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= config proto notify parsers probe
SRCDIR ?= .
B := tests/fuzz/build

SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
CFLAGS_F := -std=gnu11 -g -O1 -Wall -Wno-unused-parameter $(SAN) \
	-D_GNU_SOURCE -iquote $(SRCDIR)/src -DSVD_VERSION='"fuzz"' -DSYSCONFDIR='"/etc"' \
	-DLOCALSTATEDIR='"/var"' -DRUNSTATEDIR='"/run"' -DPKGLIBEXECDIR='"/usr/lib/svd"' -DBINDIR='"/usr/bin"' $(FUZZ_INCS)

OBJS := $(patsubst %.c,$(B)/obj/%.o,$(filter %.c,$(SRCS)))
BINS := $(patsubst %,$(B)/fuzz_%,$(FUZZ_TARGETS))

all: $(BINS)

$(B)/obj/%.o: $(SRCDIR)/%.c
	@mkdir -p $(@D)
	@echo "  CC(fuzz) $*.c"
	@$(FUZZ_CC) $(CFLAGS_F) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(B)/libsvd-fuzz.a: $(OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(B)/fuzz_%: $(SRCDIR)/tests/fuzz/fuzz_%.c $(B)/libsvd-fuzz.a
	@echo "  CCLD(fuzz) $@"
	@$(FUZZ_CC) $(CFLAGS_F) -fsanitize=fuzzer $< $(B)/libsvd-fuzz.a $(FUZZ_LIBS) -o $@

# Runs each target for FUZZ_SECONDS; any crash, leak or sanitizer report fails.
run: all
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILD=$(B) FUZZ_SRC=$(SRCDIR)/tests/fuzz \
		bash $(SRCDIR)/tests/fuzz/run.sh $(FUZZ_TARGETS)

clean:
	rm -rf $(B)

.PHONY: all run clean
-include $(OBJS:.o=.d)
