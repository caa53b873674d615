#!/bin/sh
# Writes the secret files docker-compose.yml mounts (./secrets/, git-ignored). The folder is private to
# you (0700); the files are 0644 because Compose bind-mounts each one as it is, and the containers read
# it as their own unprivileged users (node, postgres, temporal, mongodb). Random ones are generated; the
# Slack ones are read from the environment or left as placeholders to fill in. Existing files are kept,
# so it is safe to run again.
#
#   SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=... sh deploy/make-secrets.sh
set -eu
dir=${1:-secrets}
mkdir -p "$dir"
chmod 700 "$dir"
umask 022

write() { # name value: writes $dir/name unless it exists
  if [ -e "$dir/$1" ]; then echo "kept    $dir/$1"; else printf '%s\n' "$2" > "$dir/$1"; echo "wrote   $dir/$1"; fi
}
random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

write slack_bot_token "${SLACK_BOT_TOKEN:-xoxb-replace-me}"
write slack_signing_secret "${SLACK_SIGNING_SECRET:-replace-me}"
write slack_app_token "${SLACK_APP_TOKEN:-}"
write vouch_encryption_key "$(head -c 32 /dev/urandom | base64)"
write vouch_previous_encryption_keys ""
write vouch_codec_token "$(random_hex 32)"
write vouch_webhook_secrets "${VOUCH_WEBHOOK_SECRETS:-}"
write vouch_source_secrets "${VOUCH_SOURCE_SECRETS:-}"
# Standard Webhooks secrets of the verdict receivers (name=whsec_...), and the Splunk HEC token.
write vouch_verdict_secrets "${VOUCH_VERDICT_SECRETS:-}"
write vouch_splunk_hec_token "${VOUCH_SPLUNK_HEC_TOKEN:-}"
write vouch_llm_api_key "${VOUCH_LLM_API_KEY:-}"
write vouch_smtp_url "${VOUCH_SMTP_URL:-}"
# The Teams bot's client secret (empty unless the Teams channel is used).
write vouch_teams_app_password "${VOUCH_TEAMS_APP_PASSWORD:-}"
write postgres_password "$(random_hex 24)"
write mongo_root_password "$(random_hex 24)"
if [ ! -e "$dir/mongo_vouch_password" ]; then
  password=$(random_hex 24)
  write mongo_vouch_password "$password"
  write mongodb_url "mongodb://vouch:$password@mongo:27017/${MONGODB_DB:-vouch}?authSource=${MONGODB_DB:-vouch}"
fi
grep -l 'replace-me' "$dir"/* 2>/dev/null | sed 's/^/fill in /' || true
