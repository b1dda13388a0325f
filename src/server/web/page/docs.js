// Swagger UI over this server's /openapi.json. No validator badge (it would call
// validator.swagger.io) and no external links; "Authorize" takes the bearer token.
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  tryItOutEnabled: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
