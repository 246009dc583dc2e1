# common/: code linked into several programs and owned by none (cfg.c,
# procfs.c).
# Nothing is built here on its own: each program lists the common sources it
# uses in its own _SRCS (e.g. hyve_SRCS += common/cfg.c).
