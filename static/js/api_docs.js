// Swagger UI over our own schema; assets come from static/vendor (no CDN).
(function () {
  var node = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: node.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    tryItOutEnabled: false
  });
})();
