/* The faces of the one binary. Each returns the process exit status and
 * never calls exit(). Defined in the module that owns the feature. */
#ifndef TD_COMMANDS_H
#define TD_COMMANDS_H

int td_pid1(void);                              /* init/pid1.c: never returns */
int td_cmd_capture(int argc, char **argv);      /* init/cmd_capture.c */
int td_cmd_load(int argc, char **argv);         /* init/kexec.c */
int td_cmd_unload(int argc, char **argv);       /* init/kexec.c */
int td_cmd_status(int argc, char **argv);       /* init/cmd_status.c */
int td_cmd_dmesg(int argc, char **argv);        /* init/cmd_dmesg.c */
int td_cmd_list(int argc, char **argv);         /* init/cmd_list.c */
int td_cmd_initramfs(int argc, char **argv);    /* init/cmd_initramfs.c */
int td_cmd_receive(int argc, char **argv);      /* net/receive.c */
int td_cmd_tlsprobe(int argc, char **argv);     /* init/cmd_tlsprobe.c */

#endif
