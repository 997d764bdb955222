#!/bin/bash
# Smoke test of the built image (deploy/README.md): config-service in a container (podman with runc,
# read-only, no capabilities) under its own NATS user, against a nats-server with deploy/nats/permissions.conf
# and the local PostgreSQL (127.0.0.1:5432, trust), after the streams are provisioned from the image as kite-admin.
set -u
cd "$(dirname "$0")/.."
D=$(mktemp -d)
for u in CONFIG_SERVICE LINKING_SERVICE ROUTING_SERVICE ACTION_SCHEDULER PBX_GATEWAY KITE_ADMIN; do export ${u}_NATS_PASSWORD=k$(openssl rand -hex 16); done
export AUTH_JWT_SECRET=$(openssl rand -hex 24)
nats-server -c deploy/nats/permissions.conf -a 127.0.0.1 -p 4301 -js -sd $D/nats -l $D/nats.log & NATS_PID=$!
sleep 1
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS kite_podman" -c "CREATE DATABASE kite_podman" postgres
RUN="podman run --rm --runtime runc --network host --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 --read-only --cap-drop ALL --security-opt no-new-privileges"
echo '$ podman run … kite-conversations:0.1.0 node dist/tools/streams.js   (as kite-admin)'
$RUN -e NATS_URL=nats://127.0.0.1:4301 -e NATS_USER=kite-admin -e NATS_PASSWORD=$KITE_ADMIN_NATS_PASSWORD kite-conversations:0.1.0 node dist/tools/streams.js
echo '$ podman run -d --name kite-config … kite-conversations:0.1.0   (config-service as config-service, KITE_STREAMS=existing)'
$RUN -d --name kite-config -e CONFIG_API_PORT=18080 -e NATS_URL=nats://127.0.0.1:4301 -e NATS_USER=config-service -e NATS_PASSWORD=$CONFIG_SERVICE_NATS_PASSWORD -e KITE_STREAMS=existing \
  -e DATABASE_URL=postgres://postgres@127.0.0.1:5432/kite_podman -e AUTH_JWT_SECRET=$AUTH_JWT_SECRET -e LOG_LEVEL=info kite-conversations:0.1.0 > /dev/null
for i in $(seq 1 60); do curl -sf http://127.0.0.1:18080/health/ready > /dev/null && break; sleep 0.5; done
echo '$ curl http://127.0.0.1:18080/health/ready'; curl -s http://127.0.0.1:18080/health/ready; echo
TOKEN=$(AUTH_JWT_SECRET=$AUTH_JWT_SECRET node -e "import('jose').then(async ({SignJWT}) => console.log(await new SignJWT({tenant:'acme',role:'admin'}).setProtectedHeader({alg:'HS256'}).setSubject('admin@acme').setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(process.env.AUTH_JWT_SECRET))))")
echo '$ curl -X PUT http://127.0.0.1:18080/v1/directory (a directory for tenant acme)'
curl -s -o /dev/null -w '%{http_code}\n' -X PUT -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' http://127.0.0.1:18080/v1/directory \
  -d '{"numbers":[{"number":"+15550000001","channels":["sms"]}],"services":[{"id":"svc-a","name":"A","agentIds":["ag-ana"],"dialplan":{}}],"agents":[{"id":"ag-ana","name":"Ana"}],"bots":[]}'
echo '$ curl http://127.0.0.1:18080/v1/numbers'; curl -s -H "authorization: Bearer $TOKEN" http://127.0.0.1:18080/v1/numbers; echo
echo '$ curl -s http://127.0.0.1:18080/metrics | grep -E "^kite_(ready|stream_(messages|replicas_current))"'; curl -s http://127.0.0.1:18080/metrics | grep -E '^kite_(ready|stream_(messages|replicas_current))'
echo '$ curl http://127.0.0.1:18080/console/ (the administrators console, and the script it loads)'
ASSET=$(curl -s http://127.0.0.1:18080/console/ | grep -o '/console/assets/[A-Za-z0-9_-]*\.js' | head -1)
curl -s -o /dev/null -w 'page %{http_code} ' http://127.0.0.1:18080/console/; curl -s -o /dev/null -w "script %{http_code} %{content_type}\n" http://127.0.0.1:18080$ASSET
echo '$ podman exec kite-config id'; podman exec kite-config id
echo '$ podman exec kite-config touch /app/x'; podman exec kite-config touch /app/x; echo "exit $?"
echo '$ podman exec kite-config sh -c "ls node_modules/typescript node_modules/jest; find / -xdev -name pg_ctl | wc -l"'; podman exec kite-config sh -c 'ls node_modules/typescript node_modules/jest 2>&1; find / -xdev -name pg_ctl 2>/dev/null | wc -l'
echo '$ grep -c Violation nats.log'; grep -c Violation $D/nats.log
echo '$ podman stop kite-config'; podman stop -t 15 kite-config > /dev/null; echo "stopped"
kill $NATS_PID; wait $NATS_PID 2>/dev/null
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS kite_podman" postgres
rm -rf $D
