"""The one training loop: Run (engine), its members, batches, records, health warnings, paired statistics, teachers, outputs and worker threads."""
