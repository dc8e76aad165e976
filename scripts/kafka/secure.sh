# Sourced by scripts/local-kafka for `up --secure`: a throwaway CA and certificates made with
# openssl in the cluster's state folder, TLS and SASL listeners beside PLAINTEXT, SCRAM users
# written at format time, PLAIN and unsecured-OAUTHBEARER (test-only JWS validator) logins, and
# the StandardAuthorizer with ACLs. Nothing here is a real secret: it exists for tests only.
# shellcheck shell=bash

# The listeners a secure node adds, in the order of their ports in KPROD_SECURE_PORTS:
#   SSL            TLS, server certificate with IP:127.0.0.1 and DNS:localhost in its SAN
#   MTLS           TLS that requires a client certificate signed by the CA (principal User:CN=mtls-client)
#   NOSAN          TLS whose certificate names kafka.invalid only (for hostname-mismatch tests)
#   SASL_PLAINTEXT PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER
#   SASL_SSL       the same mechanisms over TLS (the SSL certificate)
#   REAUTH         SASL_PLAINTEXT with connections.max.reauth.ms=$REAUTH_MS (KIP-368 tests)
#   OIDC           SASL_PLAINTEXT, OAUTHBEARER only, checked by Kafka's OAuthBearerValidatorCallbackHandler:
#                  RS256 JWTs for audience $OIDC_AUDIENCE signed by tls/oidc.key (key id $OIDC_KID),
#                  whose public key the broker reads from the JWKS file tls/jwks.json; a session
#                  lasts until the token expires (connections.max.reauth.ms of an hour)
SECURE_LISTENERS=(SSL MTLS NOSAN SASL_PLAINTEXT SASL_SSL REAUTH OIDC)
SECURE_PROTOCOLS=(SSL SSL SSL SASL_PLAINTEXT SASL_SSL SASL_PLAINTEXT SASL_PLAINTEXT)
OIDC_KID=kprod-test-key
OIDC_AUDIENCE=kprod-test
MECHANISMS=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER
REAUTH_MS=3000
# user:password, for PLAIN and both SCRAM mechanisms. admin is a super user; alice may write and read
# topics named acl-*, bob may only describe and read them; topics without ACLs are open to all.
SECURE_USERS=(admin:admin-secret alice:alice-secret bob:bob-secret)
CLIENT_KEY_PASSWORD=client-key-pass

secure_port_of () { # node index, listener index
  local per=${#SECURE_LISTENERS[@]}
  echo "${sports[$(( ($1 - 1) * per + $2 ))]}"
}

# CA, broker certificates (with and without the loopback SAN) and an mTLS client certificate
# whose key is encrypted with $CLIENT_KEY_PASSWORD. PEM throughout: Kafka reads PEM key stores.
make_certs () {
  local d="$run/tls" days=30
  command -v openssl >/dev/null || die "openssl is needed for --secure (apt-get install openssl)"
  mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days "$days" -subj '/CN=kprod test CA' \
      -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'
    sign () { # name subject san
      openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"
      printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n%s\n' "$3" >"$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days "$days" -extfile "$1.ext"
      rm -f "$1.csr" "$1.ext"
    }
    sign broker '/CN=127.0.0.1' 'subjectAltName=IP:127.0.0.1,DNS:localhost'
    sign nosan '/CN=kafka.invalid' 'subjectAltName=DNS:kafka.invalid'
    sign client '/CN=mtls-client' ''
    # Kafka's PEM key store: a PKCS#8 key followed by the certificate chain.
    for n in broker nosan; do
      openssl pkcs8 -topk8 -nocrypt -in "$n.key" -out "$n.p8"
      cat "$n.p8" "$n.pem" ca.pem >"$n.keystore.pem"
      rm -f "$n.p8"
    done
    openssl pkcs8 -topk8 -v2 aes-256-cbc -in client.key -out client.enc.key -passout "pass:$CLIENT_KEY_PASSWORD"
    # The OIDC signing key and its public half as a JWKS (n: the modulus, base64url; e: 65537).
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out oidc.key
    local n
    n="$(openssl rsa -in oidc.key -noout -modulus | cut -d= -f2 | xxd -r -p | base64 -w0 | tr '+/' '-_' | tr -d '=')"
    printf '{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"%s","n":"%s","e":"AQAB"}]}\n' "$OIDC_KID" "$n" >jwks.json
    rm -f ca.srl
  ) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; die "making the test certificates failed (output above)"; }
}

jaas_plain () {
  local u out='org.apache.kafka.common.security.plain.PlainLoginModule required'
  for u in "${SECURE_USERS[@]}"; do out+=" user_${u%%:*}=\"${u#*:}\""; done
  echo "$out;"
}

# The lines a secure node adds to server.properties (node $1).
secure_config () {
  local i="$1" j name lname listeners='' advertised='' map='' mech tls="$run/tls"
  for ((j = 0; j < ${#SECURE_LISTENERS[@]}; j++)); do
    name="${SECURE_LISTENERS[$j]}"
    listeners+=",$name://127.0.0.1:$(secure_port_of "$i" "$j")"
    map+=",$name:${SECURE_PROTOCOLS[$j]}"
  done
  advertised="$listeners"
  cat <<EOF
listeners=PLAINTEXT://127.0.0.1:$(port_of "$i"),CONTROLLER://127.0.0.1:${cports[$((i - 1))]}$listeners
advertised.listeners=PLAINTEXT://127.0.0.1:$(port_of "$i")$advertised
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT$map
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS;User:admin
allow.everyone.if.no.acl.found=true
sasl.enabled.mechanisms=$MECHANISMS
ssl.keystore.type=PEM
ssl.keystore.location=$tls/broker.keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$tls/ca.pem
ssl.endpoint.identification.algorithm=
listener.name.mtls.ssl.client.auth=required
listener.name.nosan.ssl.keystore.location=$tls/nosan.keystore.pem
EOF
  for lname in sasl_plaintext sasl_ssl reauth; do
    echo "listener.name.$lname.sasl.enabled.mechanisms=$MECHANISMS"
    echo "listener.name.$lname.plain.sasl.jaas.config=$(jaas_plain)"
    echo "listener.name.$lname.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
    echo "listener.name.$lname.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
    echo "listener.name.$lname.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"admin\";"
  done
  for mech in plain scram-sha-256 scram-sha-512 oauthbearer; do
    echo "listener.name.reauth.$mech.connections.max.reauth.ms=$REAUTH_MS"
  done
  cat <<EOF
listener.name.oidc.sasl.enabled.mechanisms=OAUTHBEARER
listener.name.oidc.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;
listener.name.oidc.oauthbearer.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler
listener.name.oidc.oauthbearer.sasl.oauthbearer.jwks.endpoint.url=file://$tls/jwks.json
listener.name.oidc.oauthbearer.sasl.oauthbearer.expected.audience=$OIDC_AUDIENCE
listener.name.oidc.oauthbearer.connections.max.reauth.ms=3600000
EOF
}

# JVM options of a secure node: Kafka 4 reads only the OAuth URLs this system property allows.
secure_jvm_args () {
  echo "-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=file://$run/tls/jwks.json"
}

# SCRAM credentials are part of the metadata log: StorageTool writes them at format time.
scram_args () {
  local u mech
  for u in "${SECURE_USERS[@]}"; do
    for mech in SCRAM-SHA-256 SCRAM-SHA-512; do
      printf '%s\n' --add-scram "$mech=[name=${u%%:*},password=${u#*:}]"
    done
  done
}

add_acls () {
  local bs
  bs="$(running_bootstrap)"
  tool org.apache.kafka.tools.AclCommand --bootstrap-server "$bs" --add --allow-principal User:alice \
    --operation Write --operation Read --operation Describe --operation DescribeConfigs --topic acl- --resource-pattern-type prefixed >&2 ||
    die "could not add the ACLs for alice"
  tool org.apache.kafka.tools.AclCommand --bootstrap-server "$bs" --add --allow-principal User:bob \
    --operation Describe --operation DescribeConfigs --operation Read --topic acl- --resource-pattern-type prefixed >&2 ||
    die "could not add the ACLs for bob"
}

# NAME=bootstrap lines for every listener, then the TLS files and the fixed test credentials.
print_listeners () {
  local j i out name
  echo "PLAINTEXT=$(bootstrap_list)"
  [ "${KPROD_SECURE:-0}" = 1 ] || return 0
  for ((j = 0; j < ${#SECURE_LISTENERS[@]}; j++)); do
    name="${SECURE_LISTENERS[$j]}" out=''
    for ((i = 1; i <= KPROD_NODES; i++)); do out+="${out:+,}127.0.0.1:$(secure_port_of "$i" "$j")"; done
    echo "$name=$out"
  done
  echo "CA_FILE=$run/tls/ca.pem"
  echo "CLIENT_CERT_FILE=$run/tls/client.pem"
  echo "CLIENT_KEY_FILE=$run/tls/client.enc.key"
  echo "CLIENT_KEY_PASSWORD=$CLIENT_KEY_PASSWORD"
  echo "REAUTH_MS=$REAUTH_MS"
  echo "OIDC_KEY_FILE=$run/tls/oidc.key"
  echo "OIDC_KID=$OIDC_KID"
  echo "OIDC_AUDIENCE=$OIDC_AUDIENCE"
  echo "USERS=${SECURE_USERS[*]}"
}
