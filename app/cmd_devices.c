/* cmd_devices.c: `synthminer devices`: what the backends found and which devices would hash. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "options.h"

struct listing {
  bool json;
  json_t *array;
  const char *last_topology;
  const char *last_kind;
};

static void print_desc(void *user, const struct synth_device_desc *d)
{
  struct listing *l = user;
  const char *kind = synth_device_kind_name(d->kind);
  if (l->json) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(d->id));
    json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "name", json_string(d->name));
    json_object_set_new(o, "detail", json_string(d->detail));
    json_object_set_new(o, "topology", json_string(d->topology));
    json_object_set_new(o, "engine", json_string(d->engine));
    json_object_set_new(o, "selected", json_boolean(d->selected));
    json_object_set_new(o, "uuid", json_string(d->uuid));
    json_object_set_new(o, "pci", json_string(d->pci));
    json_object_set_new(o, "twin", json_string(d->twin));
    json_t *sn = json_object();
    json_object_set_new(sn, "source", json_string(d->sensors));
    if (d->sensed & SYNTH_SENSED_TEMP)
      json_object_set_new(sn, "temperature_c", json_real(d->temp_c));
    if (d->sensed & SYNTH_SENSED_POWER)
      json_object_set_new(sn, "power_w", json_real(d->power_w));
    json_object_set_new(o, "sensors", sn);
    json_array_append_new(l->array, o);
    return;
  }
  if (!l->last_kind || strcmp(l->last_kind, kind) != 0) {
    printf("%s%s: %s\n", l->last_kind ? "\n" : "", kind, d->topology);
    printf("  %-10s %-30s %-30s %-14s %s\n", "ID", "NAME", "WHERE", "ENGINE", "HASHES");
    l->last_kind = kind;
  }
  printf("  %-10s %-30.30s %-30.30s %-14.14s %s\n", d->id, d->name, d->detail, d->engine,
         d->selected ? "yes" : "no");
  if (d->twin[0])
    printf("  %-10s the same device as %s%s%s: one API drives it (--prefer)\n", "", d->twin,
           d->pci[0] ? ", PCI " : "", d->pci);
  if (d->sensors[0]) {
    char now[64] = "";
    if (d->sensed & SYNTH_SENSED_TEMP)
      snprintf(now, sizeof now, ": %.0f C", d->temp_c);
    if (d->sensed & SYNTH_SENSED_POWER)
      snprintf(now + strlen(now), sizeof now - strlen(now), "%s%.1f W", now[0] ? ", " : ": ",
               d->power_w);
    printf("  %-10s sensors %s%s\n", "", d->sensors, now);
  }
}

static const char about[] =
    "Lists every device the built-in backends find (for the CPU, its topology from\n"
    "hwloc and one worker per core) and whether the given options make it hash.";

int cmd_devices(int argc, char **argv)
{
  struct cli_device_flags dev = CLI_DEVICE_FLAGS_INIT;
  bool json = false, help = false, options = false;
  const struct cli_option opts[] = {
      CLI_DEVICE_OPTIONS(dev),
      {"--options", 0, CLI_FLAG, &options, 0, 0, NULL,
       "list every backend's device options (-O KEY=VALUE) instead"},
      {"--json", 0, CLI_FLAG, &json, 0, 0, NULL, "print the list as JSON"},
      CLI_OPTIONS_END(help),
  };
  int rc = cli_parse_command("devices", about, opts, argc, argv);
  if (rc != 0 || help)
    return rc;
  if (options)
    return cli_print_device_options(json);
  struct cli_log log = {.level = SYNTH_LOG_ERROR};
  struct listing listing = {.json = json, .array = json ? json_array() : NULL};
  struct synth_runtime_config cfg = {
      .log_fn = cli_log_message,
      .log_user = &log,
      .log_level = SYNTH_LOG_ERROR,
      .workload = synth_sha256d_workload(), /* the engines shown are the miner's */
  };
  if ((rc = cli_device_config("devices", &dev, &cfg)) != 0) {
    json_decref(listing.array);
    return rc;
  }
  rc = synth_probe(&cfg, print_desc, &listing);
  if (rc != 0) {
    if (!atomic_load(&log.error_seen))
      fprintf(stderr, "synthminer devices: %s\n", synth_strerror(rc));
    json_decref(listing.array);
    return cli_exit_for(rc);
  }
  if (json) {
    json_t *root = json_object();
    json_object_set_new(root, "devices", listing.array);
    json_dumpf(root, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(root);
  }
  return 0;
}
